keep;
﻿
