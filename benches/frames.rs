//! Frame cost of the desktop app, measured with the egui_kittest harness (no GPU): the
//! dashboard and a 2,000-pupil list, each steady and while scrolling or resizing.
//! CPU time per frame comes from the thread's scheduler statistics
//! (`/proc/thread-self/schedstat`, nanoseconds), so other processes do not inflate it.
//!
//! Run with `cargo bench --bench frames`.
#![allow(clippy::unwrap_used, reason = "a benchmark may panic")]
#![allow(missing_docs, reason = "a benchmark binary")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::time::{Duration, Instant};
use tsm_desk::service::{ImportRequest, Service};
use tsm_desk::store::Store;
use tsm_desk::ui::{Opener, Prefs, Screen, TsmApp};

const PUPILS: usize = 2000;
const FRAMES: usize = 200;

fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn settle(h: &mut Harness<'static, TsmApp>) {
    let start = Instant::now();
    while h.state().busy() || h.run_ok().is_none() {
        assert!(start.elapsed() < Duration::from_secs(120), "worker stuck");
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_ok();
}

struct Stats {
    median_ms: f64,
    p95_ms: f64,
    max_ms: f64,
}

#[expect(clippy::cast_precision_loss, reason = "nanoseconds of a frame")]
fn stats(mut ns: Vec<u64>) -> Stats {
    ns.sort_unstable();
    let at = |q: f64| {
        let i = ((ns.len() - 1) as f64 * q).round() as usize;
        ns[i] as f64 / 1e6
    };
    Stats {
        median_ms: at(0.5),
        p95_ms: at(0.95),
        max_ms: at(1.0),
    }
}

fn measure(
    h: &mut Harness<'static, TsmApp>,
    mut before: impl FnMut(&mut Harness<'static, TsmApp>, usize),
) -> Stats {
    let mut samples = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        before(h, i);
        let t0 = thread_cpu_ns();
        h.step();
        samples.push(thread_cpu_ns() - t0);
    }
    stats(samples)
}

fn report(name: &str, s: &Stats) {
    println!(
        "{name:<44} median {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms  (CPU per frame, {FRAMES} frames)",
        s.median_ms, s.p95_ms, s.max_ms
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench_marks.csv");
    tsm_desk::sample::bench_marks_csv(&file, PUPILS, 60).unwrap();
    let opener: Opener = Box::new(move |_| {
        let mut service = Service::new(Store::open_in_memory()?)?;
        service.import(
            &ImportRequest {
                files: vec![file],
                urn: "980000".into(),
                school_name: Some("Benchmark Secondary".into()),
                phase: Some("secondary".into()),
                ..ImportRequest::default()
            },
            &mut |_| {},
        )?;
        Ok(service)
    });
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_max_steps(100)
        .build_eframe(|cc| {
            TsmApp::with_prefs(&cc.egui_ctx, Prefs::default(), opener, "in memory".into())
        });
    settle(&mut h);
    h.state_mut().open("980000", Screen::Dashboard);
    settle(&mut h);
    assert_eq!(h.state().school().unwrap().pupils.len(), PUPILS);

    // The first frame draws the six charts into textures.
    let t0 = thread_cpu_ns();
    h.step();
    let first = (thread_cpu_ns() - t0) as f64 / 1e6;
    println!("dashboard, first frame (draws 6 charts)       {first:>6.2} ms");
    report("dashboard, steady", &measure(&mut h, |_, _| {}));
    report(
        "dashboard, resizing by 4 px a frame (redraws)",
        &measure(&mut h, |h, i| {
            let w = 1400.0 - 4.0 * (i % 50) as f32;
            h.set_size(egui::vec2(w, 900.0));
        }),
    );
    h.set_size(egui::vec2(1400.0, 900.0));
    h.step();

    h.state_mut().open("980000", Screen::Pupils);
    settle(&mut h);
    h.get_by_label(&format!("All pupils ({PUPILS})")).click();
    h.run_ok();
    assert_eq!(h.state().visible_pupils().len(), PUPILS);
    report(
        "pupil list, 2,000 rows, steady",
        &measure(&mut h, |_, _| {}),
    );
    report(
        "pupil list, 2,000 rows, scrolling",
        &measure(&mut h, |h, i| {
            let dy = if (i / 50) % 2 == 0 { -120.0 } else { 120.0 };
            h.hover_at(egui::pos2(600.0, 500.0));
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, dy),
                phase: egui::TouchPhase::Move,
                modifiers: egui::Modifiers::NONE,
                source: egui::MouseWheelSource::Unknown,
            });
        }),
    );
}
