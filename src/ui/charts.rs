//! Temporary: replaced by the plotters implementation.
#![allow(missing_docs)]

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub label: String,
    pub value: f64,
}
#[derive(Debug, Clone, PartialEq)]
pub enum ChartSpec {
    Bars {
        title: String,
        categories: Vec<String>,
        series: Vec<Series>,
        reference: Option<Reference>,
        percent: bool,
    },
    Lines {
        title: String,
        x_labels: Vec<String>,
        series: Vec<Series>,
        reference: Option<Reference>,
        percent: bool,
    },
}
#[derive(Default)]
pub struct ChartView;
impl ChartView {
    pub fn ui(&mut self, ui: &mut egui::Ui, _spec: &ChartSpec, height: f32) {
        ui.add_space(height);
    }
}
