use framework::{routes, Route};

mod users {
    use framework::get;

    #[get("/users")]
    fn list() -> &'static str {
        "none"
    }
}

fn app() -> Vec<Route> {
    routes![users::list]
}

fn main() {}
