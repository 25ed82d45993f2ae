// Stand-in for native packages the GPU check does not use (onnxruntime-node, sharp):
// the bundle links against it; touching it fails loudly.
const absent = new Proxy(
  {},
  {
    get(_, key) {
      if (key === '__esModule' || key === 'then' || key === 'default') return undefined;
      throw new Error(`not available in the GPU check bundle: ${String(key)}`);
    },
  },
);
export default absent;
export const InferenceSession = absent;
export const Tensor = absent;
export const env = {};
