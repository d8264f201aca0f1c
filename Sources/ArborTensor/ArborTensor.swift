/// Placeholder until the module lands.
enum ArborTensorPlaceholder {}
