//! What every example shares: connect to the server named by `BIFROST_BASE_URL`, or
//! start the embedded fake when it is unset. The fake behaves like the Bifrost
//! version in `BIFROST_MOCK_VERSION` (e.g. `v1.5.2`; default: the newest v2).

use bifrost_governance::Client;
use bifrost_governance_mock::MockServer;

/// The client, and the embedded server when one was started (keep it alive).
pub async fn connect() -> Result<(Client, Option<MockServer>), Box<dyn std::error::Error>> {
    if std::env::var("BIFROST_BASE_URL").is_ok_and(|u| !u.is_empty()) {
        let client = Client::from_env()?;
        println!("Using the Bifrost server at {}", client.base_url());
        return Ok((client, None));
    }
    let mut builder = MockServer::builder();
    if let Ok(version) = std::env::var("BIFROST_MOCK_VERSION")
        && !version.is_empty()
    {
        builder = builder.version(version);
    }
    let server = builder.try_start().await?;
    println!(
        "BIFROST_BASE_URL is not set: started the embedded fake Bifrost {} at {}",
        server.version(),
        server.base_url()
    );
    let client = Client::builder().base_url(server.base_url()).build()?;
    Ok((client, Some(server)))
}
