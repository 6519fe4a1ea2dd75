-- POST requests from BENCH_LINES, one "path<TAB>json body" per line. With BENCH_ONCE=1 every
-- line is used once (each thread its own share) and the thread stops when its share is spent:
-- an action such as dispatch cannot be repeated on the same order.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
setup = common.setup
done = common.done
local items, i, headers, once

function init(args)
  once = os.getenv("BENCH_ONCE") == "1"
  items = {}
  for _, line in ipairs(common.lines(os.getenv("BENCH_LINES"), not once)) do
    local tab = string.find(line, "\t", 1, true)
    table.insert(items, { string.sub(line, 1, tab - 1), string.sub(line, tab + 1) })
  end
  i = once and 0 or (tid * 7919) % #items
  headers = common.headers()
end

function request()
  i = i + 1
  if i > #items then
    if once then
      wrk.thread:stop()
      return wrk.format("GET", "/health")
    end
    i = 1
  end
  return wrk.format("POST", items[i][1], headers, items[i][2])
end
