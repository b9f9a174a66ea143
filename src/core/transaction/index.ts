export { BufferedTable, runInTransaction } from "./buffered-table.js"
export { compileCondition, applyUpdate } from "./expression-eval.js"
