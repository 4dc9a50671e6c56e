//! The integration tests, one crate so the whole stack links once: a module per area,
//! with the helpers every area shares in `common` (files, the CLI) and `app` (the app
//! under egui_kittest with two synthetic schools).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests may panic")]

mod app;
mod common;
mod defaults;

mod action_log;
mod architecture;
mod backtest;
mod durability;
mod encryption;
mod engine;
mod export;
mod hostile_input;
mod hygiene;
mod hygiene_ui;
mod import_errors;
mod layouts;
mod meeting_ui;
mod print_ui;
mod priority;
mod real_data;
mod sample_data;
mod ui;
mod unlock_ui;
