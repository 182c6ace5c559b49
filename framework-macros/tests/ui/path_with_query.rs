use framework::get;

#[get("/search?q=rust")]
fn search() {}

fn main() {}
