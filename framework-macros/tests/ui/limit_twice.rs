use framework::post;

#[post("/upload", limit = "1 MiB", limit = "2 MiB")]
fn upload(body: Vec<u8>) -> String {
    body.len().to_string()
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![upload]);
}
