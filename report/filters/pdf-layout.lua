--[[
Fits every figure to the PDF page (Typst output only; in HTML, CSS scales images to the column).

A figure's natural size is its pixel size over the dpi stored in the PNG (matplotlib writes it), so
at scale 1 its text has the font size it was drawn with. The filter gives each image an explicit
width: as large as fits the text block of a portrait A4 page (2 cm margins) below a maximum
height, never larger than natural size. A wide figure that would shrink below MIN_SCALE of its
natural size there (the text would become too small to read) goes on a landscape page of its own
when that page shows it noticeably larger.

Sections: figures float (typst-header.typ), but never past the next section heading (level 1
or 2: #place.flush() before it), and each numbered top-level section starts on a new page.

Tables get automatic column widths (pandoc gives a pipe table with long source lines, such as
those holding fact spans, equal relative widths, which wraps short headers letter by letter).

Used by both render paths: by Quarto (at: pre-ast in _quarto.yml) and by pandoc.
]]

local PT_PER_IN = 72
-- A4 with 2 cm margins (portrait) / 1.5 cm margins (landscape), in points; heights leave room
-- for the caption.
local PORTRAIT = { w = (210 - 40) / 25.4 * PT_PER_IN, h = (297 - 40) / 25.4 * PT_PER_IN * 0.78 }
local LANDSCAPE = { w = (297 - 30) / 25.4 * PT_PER_IN, h = (210 - 30) / 25.4 * PT_PER_IN * 0.80 }
local MIN_SCALE = 0.6
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

local function image_of(fig)
  local found
  fig.content:walk({ Image = function(img) found = found or img end })
  return found
end

function Figure(fig)
  if FORMAT ~= "typst" then return nil end
  local img = image_of(fig)
  if not img or img.attributes["width"] then return nil end
  local w, h, dpi = png_size(img.src)
  if not w then return nil end
  local nat_w, nat_h = w / dpi * PT_PER_IN, h / dpi * PT_PER_IN
  local scale = fit(PORTRAIT, nat_w, nat_h)
  local landscape = false
  if scale < MIN_SCALE and nat_w > nat_h * 1.3 then
    local scale_l = fit(LANDSCAPE, nat_w, nat_h)
    if scale_l > scale * 1.15 then
      scale, landscape = scale_l, true
    end
  end
  fig.content = fig.content:walk({
    Image = function(i)
      i.attributes["width"] = string.format("%.1fpt", nat_w * scale)
      return i
    end,
  })
  if landscape then
    return {
      pandoc.RawBlock("typst", "#page(flipped: true, margin: 1.5cm)["),
      fig,
      pandoc.RawBlock("typst", "]"),
    }
  end
  return fig
end

function Table(tbl)
  for i, spec in ipairs(tbl.colspecs) do
    tbl.colspecs[i] = { spec[1], pandoc.ColWidthDefault }
  end
  return tbl
end

function Header(h)
  if FORMAT ~= "typst" or h.level > 2 then return nil end
  local before = {}
  if h.level == 1 and not h.classes:includes("unnumbered") then
    -- break first: a flush right after a landscape page would leave an empty page
    table.insert(before, pandoc.RawBlock("typst", "#pagebreak(weak: true)"))
  end
  table.insert(before, pandoc.RawBlock("typst", "#place.flush()"))
  table.insert(before, h)
  return before
end
