// Static segments are compared with the decoded request path: any text goes, spaces and
// non-ASCII included, and a client sends them percent-encoded.
use framework::test::TestClient;
use framework::{get, routes, App};

#[get("/café/a b")]
fn cafe() -> &'static str {
    "matched"
}

fn main() {
    let client = TestClient::new(App::new().mount("/", routes![cafe])).expect("the app builds");
    assert_eq!(client.get("/caf%C3%A9/a%20b").send().text(), "matched");
    assert_eq!(client.get("/cafe/a%20b").send().status().as_u16(), 404);
}
