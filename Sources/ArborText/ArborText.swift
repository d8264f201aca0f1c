/// Placeholder until the module lands.
enum ArborTextPlaceholder {}
