use framework::get;

struct Users;

impl Users {
    #[get("/users")]
    fn list(&self) -> &'static str {
        "none"
    }
}

fn main() {}
