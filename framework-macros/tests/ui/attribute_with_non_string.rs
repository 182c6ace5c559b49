use framework::get;

#[get(42)]
fn index() {}

fn main() {
    let _ = framework::App::new().mount("/", framework::routes![index]);
}
