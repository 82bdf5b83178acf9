-- Helper of the store scripts: LangGraph's InMemoryStore filter semantics on a
-- decoded item value. Conditions come compiled by the client as a JSON array of
-- [field, op, operand]: op eq/ne (a JSON primitive), in/nin (an array of them),
-- gt/gte/lt/lte (the operand as JS Number() text), never (no item matches).
-- Include with: --!include include/store-filter.lua

-- JavaScript `a === b` for JSON values (objects and arrays are never equal).
local function js_equal(a, b)
  if a == nil or b == nil then return false end
  if type(a) ~= type(b) then return false end
  if type(a) == 'table' then return false end
  return a == b
end

local NAN = 0 / 0

-- JavaScript `Number(v)` for JSON values. A one-element array is its element
-- (`Number([5])` is 5); objects and other arrays give NaN (so does `[]`, which
-- cjson cannot tell from `{}`; JavaScript makes it 0).
local function js_number(v)
  local t = type(v)
  if t == 'number' then return v end
  if t == 'boolean' then return v and 1 or 0 end
  if v == cjson.null then return 0 end
  if t == 'table' then
    local only = v[1]
    if only == nil or next(v, next(v)) ~= nil then return NAN end
    if type(only) == 'boolean' then return NAN end
    return js_number(only)
  end
  if t ~= 'string' then return NAN end
  local s = string.match(v, '^%s*(.-)%s*$')
  if s == '' then return 0 end
  if s == 'Infinity' or s == '+Infinity' then return math.huge end
  if s == '-Infinity' then return -math.huge end
  if string.find(s, '[iInN]') or string.find(s, '^[+-]0[xX]') then return NAN end
  return tonumber(s) or NAN
end

local function operand_number(text)
  if text == 'Infinity' then return math.huge end
  if text == '-Infinity' then return -math.huge end
  return tonumber(text) or NAN
end

local function member_of(v, list)
  for i = 1, #list do
    if js_equal(v, list[i]) then return true end
  end
  return false
end

-- 1 when the decoded value meets every condition.
local function matches(value, conditions)
  for i = 1, #conditions do
    local c = conditions[i]
    local v = value[c[1]]
    local op = c[2]
    local ok
    if op == 'eq' then ok = js_equal(v, c[3])
    elseif op == 'ne' then ok = not js_equal(v, c[3])
    elseif op == 'in' then ok = member_of(v, c[3])
    elseif op == 'nin' then ok = not member_of(v, c[3])
    elseif op == 'gt' then ok = js_number(v) > operand_number(c[3])
    elseif op == 'gte' then ok = js_number(v) >= operand_number(c[3])
    elseif op == 'lt' then ok = js_number(v) < operand_number(c[3])
    elseif op == 'lte' then ok = js_number(v) <= operand_number(c[3])
    else ok = false end
    if not ok then return false end
  end
  return true
end
