use framework::get;

#[get("/:1d")]
fn show() {}

fn main() {}
