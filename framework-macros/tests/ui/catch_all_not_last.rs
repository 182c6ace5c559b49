use framework::get;

#[get("/files/*path/raw")]
fn raw(path: String) -> String {
    path
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![raw]);
}
