#include "sim/ODataFilter.h"
