// Imports every command module so that each registers itself in the command table (in the order of the help).
import './firmware';
import './firmwareWrite';
import './job';
import './jobWrite';
import './task';
import './taskActions';
import './iotaap';
import './iotaapDeploy';
import './build';
import './deploy';
import './ports';
import './flash';
import './sandbox';
