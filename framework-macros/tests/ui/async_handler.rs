use framework::get;

#[get("/")]
async fn index() -> &'static str {
    "hello"
}

fn main() {}
