use framework::get;

#[get("/")]
async fn index() -> &'static str {
    "hello"
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![index]);
}
