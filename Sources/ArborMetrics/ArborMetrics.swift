/// Placeholder until the module lands.
enum ArborMetricsPlaceholder {}
