use framework::get;

#[get("/x")]
struct S;

fn main() {}
