use framework::get;

#[get("/files/{*path}")]
fn show() -> &'static str {
    "ok"
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![show]);
}
