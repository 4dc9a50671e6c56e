//! What differs between Linux, macOS and Windows, in one place: where the data folder
//! and the user's Documents are, writing a file so that it is replaced whole, keeping
//! the database's files private to the user, and opening a file in the system viewer.
//! A leaf: it uses no other module of the crate, and every module may use it.

pub mod files;
pub mod folders;
pub mod open;
