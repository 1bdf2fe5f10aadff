// A `.wasm` import, in runtimes that support it, is a compiled module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
