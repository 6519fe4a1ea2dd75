-- GET requests cycling through BENCH_LINES (one path per line), each thread from its own offset.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done
local paths, i, headers

function init(args)
  paths = common.lines(os.getenv("BENCH_LINES"), true)
  i = (tid * 7919) % #paths
  headers = common.headers()
end

function request()
  i = (i % #paths) + 1
  return wrk.format("GET", paths[i], headers)
end
