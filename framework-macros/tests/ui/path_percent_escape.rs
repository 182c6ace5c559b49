use framework::get;

#[get("/a%20b")]
fn show() -> &'static str {
    "ok"
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
