use framework::get;

#[get("/users//posts")]
fn posts() {}

fn main() {}
