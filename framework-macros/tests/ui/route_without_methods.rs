use framework::route;

#[route("/x")]
fn x() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![x]);
}
