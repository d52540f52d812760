export * from './server.js';
export * from './events.js';
export { FakeSheets, parseRange, SheetError, type Cell, type FakeSheet, type FakeSpreadsheet } from './sheets.js';
