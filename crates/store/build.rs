// `sqlx::migrate!` embeds the migration files when the crate compiles; without this line
// a new migration file does not rebuild the crate, and tests run the old list.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
