-- Argo CD health check for DataCluster (datacluster.dev/v1alpha1). Installing it: docs/gitops.md.
--
-- It reads the status the operator writes (docs/gitops.md maps every condition):
--   Progressing  no status yet; a spec generation the operator has not observed; Reconciling or
--                Progressing True (creating, rolling, scaling, draining, members starting,
--                waiting for the first assignment); being deleted
--   Degraded     Stalled True (invalid spec, ignored change, stalled drain, members missing
--                beyond the grace), or Degraded True, or Valid False
--   Healthy      Ready True and nothing of the above
-- Suspended does not apply (a DataCluster cannot be paused) and Missing is Argo CD's own verdict
-- for an object that does not exist, so this check returns neither.
--
-- Argo CD runs health checks with gopher-lua, a Lua 5.1 dialect: keep to what 5.1 has.

local function find(conditions, wanted)
  for _, condition in ipairs(conditions) do
    if condition.type == wanted then
      return condition
    end
  end
  return nil
end

local function is_true(condition)
  return condition ~= nil and condition.status == "True"
end

local function message_of(condition, fallback)
  if condition ~= nil and condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return fallback
end

local health = { status = "Progressing", message = "Waiting for the DataCluster operator to report status." }

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  health.message = "The DataCluster is being deleted."
  return health
end

local status = obj.status
if status == nil or status.conditions == nil then
  return health
end

local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  health.message = "Waiting for the operator to act on generation " .. generation .. " of the spec."
  return health
end

local conditions = status.conditions
local stalled = find(conditions, "Stalled")
local degraded = find(conditions, "Degraded")
local valid = find(conditions, "Valid")
if is_true(stalled) then
  health.status = "Degraded"
  health.message = message_of(stalled, "The DataCluster is stalled.")
  return health
end
if is_true(degraded) then
  health.status = "Degraded"
  health.message = message_of(degraded, "The DataCluster is degraded.")
  return health
end
if valid ~= nil and valid.status == "False" then
  health.status = "Degraded"
  health.message = message_of(valid, "The DataCluster's spec is invalid.")
  return health
end

local reconciling = find(conditions, "Reconciling")
local progressing = find(conditions, "Progressing")
if is_true(reconciling) then
  health.message = message_of(reconciling, "Reconciling.")
  return health
end
if is_true(progressing) then
  health.message = message_of(progressing, "Progressing.")
  return health
end

local ready = find(conditions, "Ready")
if is_true(ready) then
  health.status = "Healthy"
  health.message = message_of(ready, "Ready.")
  return health
end

health.message = message_of(ready, "Waiting for the DataCluster to become ready.")
return health
