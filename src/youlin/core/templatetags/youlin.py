from django import template

from youlin.core.privacy import mask_name, mask_phone

register = template.Library()

register.filter("mask_phone", mask_phone)
register.filter("mask_name", mask_name)
