// The renderer sees window.pier with this type (import type only).
import type { PierApi } from './api';
declare global {
  interface Window { pier: PierApi }
}
export {};
