/** Every chat command registers itself on import; order here is the order in 帮助. */
import './core.js';
import './inventory.js';
import './cost.js';
import './stocktake.js';
import './users.js';
