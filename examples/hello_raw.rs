//! The smallest server on the raw handler API: `Hello, World!` on every path.
//!
//! `cargo run --example hello_raw`, then `curl -i http://127.0.0.1:8080/`.

use framework::{Request, Response, Server};

// `Box<dyn Error>` rather than `io::Error`: a failed bind then prints as `Error: cannot listen on
// 127.0.0.1:8080: Address already in use (os error 98)`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080u16);
    let server = Server::bind(("127.0.0.1", port))?;
    println!("listening on http://{}", server.local_addr());
    server.serve(|_req: &mut Request| Response::text("Hello, World!"))?;
    Ok(())
}
