// Every built-in family the runtime implements. Each exported b_* function becomes a module
// export the code generator links against (see policies/compiler/wasm/builtin-registry.ts).
export * from "./operators";
export * from "./aggregates";
export * from "./numbers";
export * from "./types";
export * from "./bits";
export * from "./collections";
export * from "./strings";
export * from "./debug";
export * from "./graph";
export * from "./strings_ext";
export * from "./encoding";
export * from "./host_result";
export * from "./sprintf";
