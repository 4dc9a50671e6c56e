//! Frame cost of the desktop app, measured with the egui_kittest harness (no GPU): the
//! dashboard and a 2,000-pupil list, each steady and while scrolling or resizing.
//! Each frame is timed by the wall clock (a step is single-threaded and CPU-bound); the
//! thread's CPU time (`/proc/thread-self/schedstat`) gives the mean over all frames.
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
    loop {
        h.step();
        if !h.state().busy() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "worker stuck");
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_steps(5);
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

/// Per-frame wall-clock times (a step is single-threaded and CPU-bound) and the mean
/// CPU time over all frames (the scheduler's counter ticks too coarsely to time one
/// frame, but is exact enough over many).
fn measure(
    h: &mut Harness<'static, TsmApp>,
    mut before: impl FnMut(&mut Harness<'static, TsmApp>, usize),
) -> (Stats, f64) {
    let mut samples = Vec::with_capacity(FRAMES);
    let cpu0 = thread_cpu_ns();
    for i in 0..FRAMES {
        before(h, i);
        let t0 = Instant::now();
        h.step();
        samples.push(u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX));
    }
    #[expect(clippy::cast_precision_loss, reason = "nanoseconds")]
    let cpu_mean = (thread_cpu_ns() - cpu0) as f64 / 1e6 / FRAMES as f64;
    (stats(samples), cpu_mean)
}

fn report(name: &str, (s, cpu): &(Stats, f64)) {
    println!(
        "{name:<46} CPU mean {cpu:>5.2} ms | wall median {:>5.2} ms  p95 {:>5.2} ms  max {:>5.2} ms  ({FRAMES} frames)",
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
                files: vec![file.clone()],
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

    // A frame that draws all six charts afresh (new size in pixels).
    h.set_size(egui::vec2(1396.0, 900.0));
    let t0 = Instant::now();
    h.step();
    let first = t0.elapsed().as_secs_f64() * 1e3;
    println!("dashboard, one frame redrawing all 6 charts     wall {first:>5.2} ms");
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
