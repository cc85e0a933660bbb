--[[
What Quarto does for article.qmd and plain pandoc does not, for the pandoc + Typst path
(scripts/report_render.py; Quarto itself does not load this filter):

  1. conditional content: divs and spans of class content-visible / content-hidden with
     when-meta / unless-meta (a boolean in the metadata) or when-format / unless-format;
  2. cross-references: figures with an id fig-..., tables with an id tbl-... are numbered in
     document order, and @fig-x / @tbl-x become "Figure N" / "Table N". In HTML the filter writes
     the numbers into captions and links; in Typst it leaves numbering to Typst's own figure
     counters (which count the same figures in the same order) and writes #ref(<id>).
     A reference to an id that does not exist stops the render with its name.
]]

local meta_flags = {}

local function truthy(value)
  if value == nil then return false end
  if type(value) == "boolean" then return value end
  local s = pandoc.utils.stringify(value)
  return s == "true" or s == "yes"
end

local function lookup(meta, dotted)
  local node = meta
  for key in string.gmatch(dotted, "[^.]+") do
    if type(node) ~= "table" then return nil end
    node = node[key]
  end
  return node
end

local function format_matches(name)
  if name == "html" then return FORMAT:match("html") ~= nil end
  if name == "pdf" or name == "typst" then return FORMAT == "typst" end
  return FORMAT == name
end

local function visible(el)
  local a = el.attributes
  local show = true
  if a["when-meta"] and not truthy(lookup(meta_flags, a["when-meta"])) then show = false end
  if a["unless-meta"] and truthy(lookup(meta_flags, a["unless-meta"])) then show = false end
  if a["when-format"] and not format_matches(a["when-format"]) then show = false end
  if a["unless-format"] and format_matches(a["unless-format"]) then show = false end
  if el.classes:includes("content-hidden") then
    -- content-hidden: hidden when the conditions hold
    local any = a["when-meta"] or a["unless-meta"] or a["when-format"] or a["unless-format"]
    return any and not show or false
  end
  return show
end

local function conditional(el)
  if el.classes:includes("content-visible") or el.classes:includes("content-hidden") then
    if visible(el) then
      return el.content
    end
    return {}
  end
end

-- ------------------------------------------------------------------ cross-references
local numbers = {}   -- id -> {kind = "Figure"|"Table", n = N}

local function number_targets(doc)
  local fig, tbl = 0, 0
  doc:walk({
    Figure = function(f)
      if f.identifier:match("^fig%-") then
        fig = fig + 1
        numbers[f.identifier] = { kind = "Figure", n = fig }
      end
    end,
    Table = function(t)
      if t.identifier:match("^tbl%-") then
        tbl = tbl + 1
        numbers[t.identifier] = { kind = "Table", n = tbl }
      end
    end,
  })
end

local function prefix_caption(caption, label)
  local prefix = { pandoc.Span({ pandoc.Str(label .. ":") }, { class = "caption-label" }), pandoc.Space() }
  local long = caption.long
  if #long == 0 then
    caption.long = { pandoc.Plain(prefix) }
  else
    local first = long[1]
    if first.t == "Plain" or first.t == "Para" then
      local content = pandoc.List(prefix)
      content:extend(first.content)
      first.content = content
    end
  end
  return caption
end

local function is_html()
  return FORMAT:match("html") ~= nil
end

local crossref = {
  Figure = function(f)
    local num = numbers[f.identifier]
    if num and is_html() then
      f.caption = prefix_caption(f.caption, num.kind .. " " .. num.n)
      return f
    end
  end,
  Table = function(t)
    local num = numbers[t.identifier]
    if num and is_html() then
      t.caption = prefix_caption(t.caption, num.kind .. " " .. num.n)
      return t
    end
  end,
  Cite = function(cite)
    local out = pandoc.List()
    for i, c in ipairs(cite.citations) do
      local id = c.id
      if id:match("^fig%-") or id:match("^tbl%-") then
        local num = numbers[id]
        if not num then
          error("unresolved cross-reference @" .. id .. ": no figure or table has that id")
        end
        if i > 1 then out:insert(pandoc.Str(",")); out:insert(pandoc.Space()) end
        if is_html() then
          out:insert(pandoc.Link({ pandoc.Str(num.kind), pandoc.Str("\u{a0}"), pandoc.Str(tostring(num.n)) },
            "#" .. id, "", { class = "quarto-xref" }))
        else
          out:insert(pandoc.RawInline("typst", "#ref(<" .. id .. ">)"))
        end
      else
        return nil
      end
    end
    return out
  end,
}

return {
  { Meta = function(m) meta_flags = m end },
  { Div = conditional, Span = conditional },
  { Pandoc = function(doc) number_targets(doc); return doc end },
  crossref,
}
