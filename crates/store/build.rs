// `sqlx::migrate!` embeds the migration files at compile time but cannot tell cargo to
// watch them on stable Rust, so a new migration would otherwise be missed until another
// change rebuilt this crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
