use framework::get;

#[get]
fn index() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![index]);
}
