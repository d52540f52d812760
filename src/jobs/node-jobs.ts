// Background jobs for the Node runtime register themselves on import (outbox drain, cron).
export {};
