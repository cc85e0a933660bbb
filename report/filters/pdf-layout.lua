--[[
Fits every figure to the PDF page (Typst output only; in HTML, CSS scales images to the column).

A figure's natural size is its pixel size over the dpi stored in the PNG (matplotlib writes it), so
at scale 1 its text has the font size it was drawn with. The filter gives each single-image figure
an explicit width: as large as fits the text block (A4, 2 cm margins) below HALF_PAGE of its height,
so that two figures share a page and floats never leave a page half empty; never larger than
natural size. A figure that would shrink below MIN_SCALE of its natural size there (its text would
become too small to read) may take up to FULL_PAGE of the height instead. Figures with sub-figures
(side by side) keep the widths Quarto's layout gives them.

Floats: figures and tables float (typst-header.typ) to the top or bottom of a page, where there is
room, while the text goes on filling the page; they stay in their chapter (#place.flush() before
each level-1 heading) and so never land after the Colophon. Chapters follow each other without a
page break. Heights below HALF_PAGE keep the rest of a page usable when a figure moves on.

Tables get automatic column widths (pandoc gives a pipe table with long source lines, such as those
holding fact spans, equal relative widths, which wraps short headers letter by letter).
]]

local PT_PER_IN = 72
-- The text block of A4 with 2 cm margins, in points; heights leave room for the caption.
local TEXT = { w = (210 - 40) / 25.4 * PT_PER_IN, h = (297 - 40) / 25.4 * PT_PER_IN }
local HALF_PAGE = { w = TEXT.w, h = TEXT.h * 0.34 }
local FULL_PAGE = { w = TEXT.w, h = TEXT.h * 0.72 }
local MIN_SCALE = 0.55
local DEFAULT_DPI = 96

local function u32(s, i)
  local a, b, c, d = s:byte(i, i + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end

-- (width px, height px, dpi) of a PNG file, or nil
local function png_size(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local data = f:read(4096) or ""
  f:close()
  if data:sub(1, 8) ~= "\137PNG\r\n\26\n" then return nil end
  local w, h = u32(data, 17), u32(data, 21)
  local dpi = DEFAULT_DPI
  local pos = 9
  while pos + 8 <= #data do
    local len, ctype = u32(data, pos), data:sub(pos + 4, pos + 7)
    if ctype == "pHYs" then
      local ppu, unit = u32(data, pos + 8), data:byte(pos + 16)
      if unit == 1 and ppu > 0 then dpi = ppu * 0.0254 end
      break
    end
    if ctype == "IDAT" then break end
    pos = pos + 12 + len
  end
  return w, h, dpi
end

local function fit(box, nat_w, nat_h)
  return math.min(1, box.w / nat_w, box.h / nat_h)
end

local function images_of(fig)
  local found = {}
  fig.content:walk({ Image = function(img) table.insert(found, img) end })
  return found
end

function Figure(fig)
  if FORMAT ~= "typst" then return nil end
  local imgs = images_of(fig)
  if #imgs ~= 1 or imgs[1].attributes["width"] then return nil end
  local w, h, dpi = png_size(imgs[1].src)
  if not w then return nil end
  local nat_w, nat_h = w / dpi * PT_PER_IN, h / dpi * PT_PER_IN
  local scale = fit(HALF_PAGE, nat_w, nat_h)
  if scale < MIN_SCALE then
    scale = math.min(fit(FULL_PAGE, nat_w, nat_h), MIN_SCALE)
  end
  fig.content = fig.content:walk({
    Image = function(i)
      i.attributes["width"] = string.format("%.1fpt", nat_w * scale)
      return i
    end,
  })
  return fig
end

function Table(tbl)
  for i, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { spec[1], pandoc.ColWidthDefault }
  end
  return tbl
end

function Header(h)
  if FORMAT ~= "typst" or h.level > 1 then return nil end
  local before = { pandoc.RawBlock("typst", "#place.flush()") }
  if h.classes:includes("unnumbered") then
    -- The Colophon starts a page of its own: a float flushed to the foot of the page before it would
    -- otherwise come after its heading.
    table.insert(before, pandoc.RawBlock("typst", "#pagebreak(weak: true)"))
  end
  table.insert(before, h)
  return before
end

-- Sub-figures side by side fill their cell of Quarto's layout (at natural size they overflow it).
function Div(div)
  if FORMAT ~= "typst" or not (div.attributes["layout-ncol"] or div.attributes["layout"]) then return nil end
  return div:walk({
    Image = function(i)
      if not i.attributes["width"] then i.attributes["width"] = "100%" end
      return i
    end,
  })
end
