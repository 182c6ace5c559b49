use framework::route;

#[route(get, "/x")]
fn x() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![x]);
}
