use framework::route;

#[route(POST, limit = "1 MiB", PUT, "/upload")]
fn upload(body: Vec<u8>) -> String {
    body.len().to_string()
}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![upload]);
}
