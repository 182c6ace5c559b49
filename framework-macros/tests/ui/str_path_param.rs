use framework::get;

#[get("/hello/:name")]
fn hello(name: &str) -> String {
    format!("hello {name}")
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![hello]);
}
