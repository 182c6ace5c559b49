use framework::get;

#[get("/users/:id")]
fn show() -> &'static str {
    "who?"
}

fn main() {}
