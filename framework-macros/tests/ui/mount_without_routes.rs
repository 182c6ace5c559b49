use framework::get;

#[get("/")]
fn index() -> &'static str {
    "ok"
}

fn main() {
    let _ = framework::App::new().mount("/", index);
}
