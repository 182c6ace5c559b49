use framework::route;

#[route(FOO, "/x")]
fn x() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![x]);
}
