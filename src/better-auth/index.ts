export { singleTableAdapter, ADAPTER_ID } from "./single-table-adapter.js"
export type { SingleTableAdapterOptions } from "./options.js"
export type { ModelLayoutOptions } from "../core/models/model-description.js"
